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
  /** Set by refinement: what the instruction changed in the previous spec. */
  changes?: SpecChange[];
}
