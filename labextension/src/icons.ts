import { LabIcon } from '@jupyterlab/ui-components';

import budgetsSvgstr from '../style/icons/budgets.svg';
import deploymentsSvgstr from '../style/icons/deployments.svg';
import experimentsSvgstr from '../style/icons/experiments.svg';
import featuresSvgstr from '../style/icons/features.svg';
import jobsSvgstr from '../style/icons/jobs.svg';
import modelsSvgstr from '../style/icons/models.svg';
import maestroSvgstr from '../style/icons/maestro.svg';

/**
 * Maestro icon: a stylised "M" with a conductor's baton.
 */
export const maestroIcon = new LabIcon({
  name: 'maestro-jupyter:maestro',
  svgstr: maestroSvgstr
});

/** The Models tab: a cube (a packaged model). */
export const modelsIcon = new LabIcon({
  name: 'maestro-jupyter:models',
  svgstr: modelsSvgstr
});

/** The Jobs tab: a terminal prompt (a training script running). */
export const jobsIcon = new LabIcon({
  name: 'maestro-jupyter:jobs',
  svgstr: jobsSvgstr
});

/** The Deployments tab: two servers (the replicas serving a model). */
export const deploymentsIcon = new LabIcon({
  name: 'maestro-jupyter:deployments',
  svgstr: deploymentsSvgstr
});

/** The Budgets tab: a coin. */
export const budgetsIcon = new LabIcon({
  name: 'maestro-jupyter:budgets',
  svgstr: budgetsSvgstr
});

/** The Experiments tab: a flask (runs of an experiment). */
export const experimentsIcon = new LabIcon({
  name: 'maestro-jupyter:experiments',
  svgstr: experimentsSvgstr
});

/** The Features tab: stacked layers (feature views over one entity). */
export const featuresIcon = new LabIcon({
  name: 'maestro-jupyter:features',
  svgstr: featuresSvgstr
});
