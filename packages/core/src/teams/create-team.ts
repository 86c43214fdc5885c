import { randomBytes } from 'node:crypto';
import type { Actor, Store, TeamRecord, TeamRole } from '../ports/store';
import { requireUser } from '../environments/authorize';
import { parseTeamInput, teamNameSchema } from './team-input';

const slugOf = (name: string) =>
  name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40) || 'team';

/** Creates a team; its creator becomes its owner. Audited with the actor's address. */
export async function createTeam(opts: { store: Store; actor: Actor; name: string }): Promise<TeamRecord & { role: TeamRole }> {
  const userId = requireUser(opts.actor);
  const name = parseTeamInput(teamNameSchema, opts.name, 'team name');
  return opts.store.transaction(async (tx) => {
    let slug = slugOf(name);
    if (await tx.teams.findBySlug(slug)) slug = `${slug}-${randomBytes(3).toString('hex')}`;
    const team = await tx.teams.insert({ name, slug });
    await tx.teams.addMember(team.id, userId, 'owner');
    await tx.audit.record({ actor: opts.actor, action: 'team.create', targetType: 'team', targetId: team.id, before: null, after: { ...team, owner: userId } });
    return { ...team, role: 'owner' as const };
  });
}
