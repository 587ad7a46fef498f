/**
 * Readable names of the REST contract's schemas. `schema.ts` is generated
 * from the server's OpenAPI document (`jlpm gen:api`, or `make api-types`
 * from the repository root): never edit it, nor copy a model here by hand.
 */
import type { components } from './schema';

type Schemas = components['schemas'];

/** The JSON body of every error response. */
export type ErrorBody = Schemas['ErrorBody'];

/** `GET info`. */
export type MaestroInfo = Schemas['Info'];

// Registry: models, versions, aliases, runs.
export type ModelSummary = Schemas['ModelSummary'];
export type ModelPage = Schemas['ModelPage'];
export type ModelDetail = Schemas['ModelDetail'];
export type ModelVersion = Schemas['ModelVersion'];
export type VersionDetail = Schemas['VersionDetail'];
export type Signature = Schemas['Signature'];
export type VersionComparison = Schemas['VersionComparison'];
export type VersionMetrics = Schemas['VersionMetrics'];
export type RunSummary = Schemas['RunSummary'];
export type RunComparison = Schemas['RunComparison'];
export type RunSource = Schemas['RunSource'];
export type MetricPoint = Schemas['MetricPoint'];
export type MetricHistory = Schemas['MetricHistory'];
export type MetricHistories = Schemas['MetricHistories'];
export type ArtifactFile = Schemas['ArtifactFile'];
export type ArtifactList = Schemas['ArtifactList'];
export type ArtifactPreview = Schemas['ArtifactPreview'];
export type Experiment = Schemas['Experiment'];
export type ExperimentPage = Schemas['ExperimentPage'];
export type RunPage = Schemas['RunPage'];
export type SetAlias = Schemas['SetAlias'];

// Data.
export type ProfileData = Schemas['ProfileData'];
export type ProfileResult = Schemas['ProfileResult'];
export type DataSummary = Schemas['DataSummary'];
export type ColumnSummary = Schemas['ColumnSummary'];
export type ProfileWarning = Schemas['ProfileWarning'];

// Model cards.
export type ModelCard = Schemas['ModelCard'];
export type CardSections = Schemas['CardSections'];
export type CardOwner = Schemas['Owner'];
export type CardFacts = Schemas['CardFacts'];
export type CardModelFacts = Schemas['ModelFacts'];
export type CardMetric = Schemas['MetricValue'];
export type CardApproval = Schemas['Approval'];
export type CardChecklistItem = Schemas['ChecklistItem'];
export type CardCompleteness = Schemas['Completeness'];
export type UpdateCard = Schemas['UpdateCard'];

// Model tests.
export type TestHistory = Schemas['TestHistory'];
export type TestReport = Schemas['TestReport'];
export type TestCheck = Schemas['Check'];
export type TestEvidence = Schemas['Evidence'];
export type TestRunSummary = Schemas['TestRunSummary'];

// Training jobs.
export type Job = Schemas['Job'];
export type JobList = Schemas['JobList'];
export type JobLogs = Schemas['JobLogs'];
export type Resources = Schemas['Resources'];

// Deployments.
export type Deployment = Schemas['Deployment'];
export type DeploymentList = Schemas['DeploymentList'];
export type DeploymentReplica = Schemas['Replica'];
export type Prediction = Schemas['Prediction'];
export type UpdateDeployment = Schemas['UpdateDeployment'];

// Costs, budgets and alerts.
export type CostSummary = Schemas['CostSummary'];
export type CostGroup = Schemas['CostGroup'];
export type Budget = Schemas['Budget'];
export type BudgetList = Schemas['BudgetList'];
export type SetBudget = Schemas['SetBudget'];
export type Alert = Schemas['Alert'];
export type AlertList = Schemas['AlertList'];

// Feature store (Feast) and the lineage of model versions to its features.
export type FeatureField = Schemas['FeatureField'];
export type FeatureViewSummary = Schemas['FeatureViewSummary'];
export type FeatureViewList = Schemas['FeatureViewList'];
export type EntityInfo = Schemas['EntityInfo'];
export type EntityList = Schemas['EntityList'];
export type DataSourceInfo = Schemas['DataSourceInfo'];
export type DataSourceList = Schemas['DataSourceList'];
export type FeatureServiceInfo = Schemas['FeatureServiceInfo'];
export type FeatureServiceList = Schemas['FeatureServiceList'];
export type FeatureStoreOverview = Schemas['FeatureStoreOverview'];
export type FeatureSearchHit = Schemas['FeatureSearchHit'];
export type FeatureSearchResult = Schemas['FeatureSearchResult'];
export type FeatureLineage = Schemas['FeatureLineage'];
export type FeatureLineageEntry = Schemas['LineageEntry'];
