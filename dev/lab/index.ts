/** The lab: a simulated AVS + HCX estate over real HTTPS. See dev/lab/README.md. */
export { startLab, connectorPasswordSetting, type StartLabOptions } from './lab';
export { demoScenario, DEMO_SUBSCRIPTIONS, DEMO_DC2_ACTIVATION_EXPIRY } from './scenarios/demo';
export { generateEstate, type GenerateEstateOptions } from './scenarios/generate';
export { loadScenario } from './scenarios/load';
export { runLab, envFileText, type RunLabOptions } from './run';
export * from './types';
export { upgradeScenario, UPGRADE_SUBSCRIPTION } from './scenarios/upgrade';
