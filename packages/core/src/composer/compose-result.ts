import type { EnvironmentSpec } from '../spec/environment-spec';
import type { SpecProblem } from '../spec/check-supported';

export type ComposeStatus = 'ok' | 'needs_clarification' | 'unsatisfiable' | 'rejected';

export interface ComposeResult {
  status: ComposeStatus;
  spec: EnvironmentSpec | null;
  questions: string[];
  problems: SpecProblem[];
  /** Every default the composer filled in, for the spec card to show. */
  assumptions: string[];
}
