// Placeholder: the lifecycle catalog look-ups (issue 3) replace this file.
export interface LifecycleCatalog {
  asOf: string;
  baseline: string;
}
