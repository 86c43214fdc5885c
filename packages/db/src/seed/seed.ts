// seed(): the minimum a fresh GenOS database needs, safe to run any number
// of times (a second run changes nothing):
//   - team "default"
//   - admin user (GENOS_ADMIN_EMAIL or admin@genos.local), role admin,
//     argon2id password from GENOS_ADMIN_PASSWORD, or generated once and
//     printed once when the admin is first created
//   - the admin as owner of the default team
//   - then the hooks in hooks.ts (catalog seeding goes there)
import type { PrismaClient, Team, User } from '../generated/prisma/client.ts';
import { defaultSeedHooks, type SeedHook } from './hooks.ts';
import { generatePassword, hashPassword, verifyPassword } from './password.ts';

export interface SeedOptions {
  /** Default: GENOS_ADMIN_EMAIL, else admin@genos.local. */
  adminEmail?: string;
  /** Default: GENOS_ADMIN_PASSWORD; if unset, generated for a new admin only. */
  adminPassword?: string;
  /** Where messages go (default console.log). The generated password is printed here. */
  log?: (message: string) => void;
  /** Default: defaultSeedHooks from hooks.ts. */
  hooks?: SeedHook[];
}

export interface SeedResult {
  team: Team;
  admin: User;
  adminCreated: boolean;
  /** Only when this run generated the admin password. */
  generatedPassword?: string;
}

export const DEFAULT_TEAM_SLUG = 'default';
export const DEFAULT_ADMIN_EMAIL = 'admin@genos.local';

export async function seed(prisma: PrismaClient, options: SeedOptions = {}): Promise<SeedResult> {
  const log = options.log ?? ((m: string) => console.log(m));
  const email = (options.adminEmail ?? process.env.GENOS_ADMIN_EMAIL ?? DEFAULT_ADMIN_EMAIL).trim().toLowerCase();
  const givenPassword = options.adminPassword ?? (process.env.GENOS_ADMIN_PASSWORD || undefined);

  const team = await prisma.team.upsert({
    where: { slug: DEFAULT_TEAM_SLUG },
    create: { slug: DEFAULT_TEAM_SLUG, name: 'Default' },
    update: {},
  });

  let admin = await prisma.user.findUnique({ where: { email } });
  let adminCreated = false;
  let generatedPassword: string | undefined;
  if (!admin) {
    generatedPassword = givenPassword ? undefined : generatePassword();
    const password = givenPassword ?? generatedPassword!;
    admin = await prisma.user.create({
      data: { email, name: 'Administrator', role: 'admin', passwordHash: await hashPassword(password) },
    });
    adminCreated = true;
    log(`created admin ${email}`);
    if (generatedPassword) printPasswordOnce(log, email, generatedPassword);
  } else {
    log(`admin ${email} exists`);
    const updates: { role?: 'admin'; passwordHash?: string } = {};
    if (admin.role !== 'admin') updates.role = 'admin';
    // GENOS_ADMIN_PASSWORD is declarative: if it no longer matches, it wins.
    // A generated password is never replaced (that would lock the admin out).
    if (givenPassword && !(admin.passwordHash && (await verifyPassword(admin.passwordHash, givenPassword)))) {
      updates.passwordHash = await hashPassword(givenPassword);
      log(`admin ${email}: password reset from GENOS_ADMIN_PASSWORD`);
    }
    if (updates.role) log(`admin ${email}: role set to admin`);
    if (Object.keys(updates).length > 0) admin = await prisma.user.update({ where: { id: admin.id }, data: updates });
  }

  await prisma.membership.upsert({
    where: { userId_teamId: { userId: admin.id, teamId: team.id } },
    create: { userId: admin.id, teamId: team.id, role: 'owner' },
    update: {},
  });

  for (const hook of options.hooks ?? defaultSeedHooks) {
    await hook(prisma, { team, admin, log });
  }
  return { team, admin, adminCreated, generatedPassword };
}

function printPasswordOnce(log: (m: string) => void, email: string, password: string): void {
  const line = '='.repeat(72);
  log(line);
  log(`  GenOS admin login: ${email}`);
  log(`  GENERATED ADMIN PASSWORD: ${password}`);
  log('  Shown only this once and stored only as an argon2id hash. Save it now.');
  log(line);
}
