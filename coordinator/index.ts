// The coordinator's public surface: start one in-process, configure it, and compose aggregation.

export { startCoordinator, type CoordinatorOptions, type RunningCoordinator } from './coordinator.js';
export type { ItemDetails, ItemMetadata } from '../shared/model/catalogue-listing.js';
export { defaultCoordinatorConfig, resolveConfig, type CoordinatorConfig } from './config.js';
export type { RoundSummary, RoundStatus } from './round-engine.js';
export { dpFedAvgAggregator, type DpFedAvgOptions } from './aggregation/dp-fedavg.js';
export type { AggregationStage, PrivacyEvent, StageResult, UpdateInfo } from './aggregation/stage.js';
export { FedAvg } from './strategies/fedavg.js';
export { FedAdam } from './strategies/fedadam.js';
