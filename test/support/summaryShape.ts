/** The keys of the summary JSON: `GET /api/summary` and `hcxmon summary --format json` print the same shape. */
export const SUMMARY_KEYS = [
  'asOf',
  'headlines',
  'nextDeadline',
  'openBySeverity',
  'overdue',
  'suppressed',
  'targetCount',
  'unknown',
  'worstTargets',
];
