import type { EnvironmentSpec } from '../spec/environment-spec';

export type ComposeStatus = 'ok' | 'needs_clarification' | 'unsatisfiable' | 'rejected';

/**
 * conflict: two asks contradict each other; unsupported: this deployment cannot
 * build it; quota: above the caller's quota or the host's size; invalid: a value
 * that makes no sense (zero memory); unknown_software: not in the catalog;
 * policy: an ask the sandbox never grants (privileged, host mounts...).
 */
export type ProblemKind = 'conflict' | 'unsupported' | 'quota' | 'invalid' | 'unknown_software' | 'policy';

export interface ComposeProblem {
  field: string;
  message: string;
  kind: ProblemKind;
}

export interface SpecChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface ComposeResult {
  status: ComposeStatus;
  /**
   * The spec when `ok`. When `unsatisfiable` only for capability problems
   * (what was understood, to show and refine); never for policy, quota or
   * invalid values, so no result ever carries a dangerous spec.
   */
  spec: EnvironmentSpec | null;
  questions: string[];
  problems: ComposeProblem[];
  /** Every default the composer filled in, for the spec card to show. */
  assumptions: string[];
  /**
   * What the user must know before launching, shown plainly on the spec card
   * (also listed in assumptions): an app this deployment cannot install and
   * what it got instead ("Tor Browser cannot be installed…: Firefox ESR…").
   */
  notices?: string[];
  /**
   * The defaults among the assumptions: filled in because nothing asked
   * otherwise ("Operating system: Debian 12 (default)."). The spec card shows
   * them apart from what was read in the request.
   */
  defaults?: string[];
  /** Words of the request nothing accounted for; a question asks about them, so the status is never `ok`. */
  unread?: string[];
  /** The language the request was read in (questions are asked in it where the composer can). */
  language?: { code: string; name: string };
  /** Set by refinement: what the instruction changed in the previous spec. */
  changes?: SpecChange[];
}
