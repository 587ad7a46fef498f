"""The contract: one pydantic request model per operation, named verb-noun (``SetAlias``, ``SubmitJob``, ...).

Services take these models, the REST handlers parse bodies into them, and the SDK builds them from its keyword
arguments; the models' validators hold the input rules (:mod:`.rules`) once, for every face. The results are the
models of :mod:`maestro_jupyter.entities`. The OpenAPI document is generated from both.
"""
