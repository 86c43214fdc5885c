import { AppError } from '../errors/app-error';
import type { ControlNames } from '../ports/control-store';

/** A program is named by its token ("token ci-robot"), so the owner knows which tool it was. */
export const programName = async (names: ControlNames, tokenId: string): Promise<string> => `token ${(await names.tokenName(tokenId)) ?? tokenId}`;

export const personName = async (names: ControlNames, userId: string): Promise<string> => (await names.userName(userId)) ?? 'the owner';

/** The refusal a program gets while someone else holds control; the message names who. */
export async function controlTaken(names: ControlNames, by: { kind: 'program'; tokenId: string } | { kind: 'person'; userId: string }): Promise<AppError> {
  if (by.kind === 'person') {
    const who = await personName(names, by.userId);
    return new AppError('CONTROL_TAKEN', `${who} has taken over control of this desktop; your calls are refused until they hand control back`, { holder: { kind: 'person', name: who } });
  }
  const who = await programName(names, by.tokenId);
  return new AppError('CONTROL_TAKEN', `another program (${who}) is in control of this desktop; its lease ends 2 minutes after its last call`, { holder: { kind: 'program', name: who } });
}

export const PROGRAMS_FORBIDDEN = 'the owner of this desktop does not allow programs to control it (turn on "Allow programs to control this desktop" on its page)';
