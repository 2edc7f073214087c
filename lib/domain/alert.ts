import type { DeadlineBand, Severity } from './evaluation';
import type { Owner } from './target';

/** What is worth paging about a finding (DESIGN §6). */
/**
 * `still-open`: once a day for a finding that stays open (or turned unknown inside an open episode) and had no other
 * event: the per-finding log alert looks back a bounded window, and without it an open finding would auto-resolve
 * in Azure Monitor after that window — a false "compliant" on the paging channel.
 */
/** `upgraded`: a scan saw the manager's version change (issue 16); info, written with the history that records it. */
export type AlertEventKind = 'opened' | 'escalated' | 'resolved' | 'reminder' | 'still-open' | 'test' | 'upgraded';

/**
 * One outbox row: written in the same Table transaction as the finding change that caused it, sent to Azure
 * Monitor by the dispatcher, deleted only after the service accepted it (at-least-once; the alert rule keys on
 * findingId so a resend is harmless).
 */
export interface AlertEvent {
  /** Unique per event; also the outbox RowKey suffix. */
  id: string;
  event: AlertEventKind;
  findingId: string;
  ruleId: string;
  severity: Severity;
  title: string;
  message: string;
  targetId: string;
  targetName: string;
  subjectId: string;
  subjectName: string;
  owner: Owner;
  /** Deadline date (YYYY-MM-DD) and band, when the finding has one. */
  deadline?: string;
  band?: DeadlineBand;
  createdAt: string;
}
