import { z } from 'zod';
import { APP_CATEGORIES, type CatalogApp } from '../catalog/app-catalog';
import type { CatalogAppRecord } from '../ports/admin-store';
import { DEBIAN_PACKAGE_NAME } from '../spec/environment-spec';

const packageName = z.string().min(2).max(64).regex(DEBIAN_PACKAGE_NAME, 'must be a Debian package name (lowercase letters, digits, + - .)');
const term = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(60)
  .regex(/^[a-z0-9][a-z0-9 +._-]*$/, 'aliases are lowercase words');

export const catalogAppIdSchema = packageName;

/** One line the desktop's start script splits into words (never a shell): no quotes, pipes or newlines. */
export const catalogCommandSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_./+:=,@%-]+( [A-Za-z0-9_./+:=,@%-]+)*$/, 'the command is a program and plain arguments: letters, digits and _ . / + : = , @ % -');

/** What an admin fills in to add an application. */
export const catalogAppInputSchema = z
  .object({
    id: packageName,
    name: z.string().trim().min(1).max(80),
    category: z.enum(APP_CATEGORIES),
    aliases: z.array(term).max(20).default([]),
    generic: z.array(term).max(20).default([]),
    /** Debian packages that provide it; the id alone when omitted. */
    packages: z.array(packageName).min(1).max(20).optional(),
    command: catalogCommandSchema,
    needsNetwork: z.boolean().default(false),
    needsDesktop: z.boolean().default(true),
    needsVm: z.boolean().default(false),
    enabled: z.boolean().default(true),
  })
  .strict();
export type CatalogAppInput = z.input<typeof catalogAppInputSchema>;

/** What an admin may change on an existing row (the id is the package: fixed). */
export const catalogAppPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(80).optional(),
    category: z.enum(APP_CATEGORIES).optional(),
    aliases: z.array(term).max(20).optional(),
    generic: z.array(term).max(20).optional(),
    packages: z.array(packageName).min(1).max(20).optional(),
    command: catalogCommandSchema.optional(),
    needsNetwork: z.boolean().optional(),
    needsDesktop: z.boolean().optional(),
    needsVm: z.boolean().optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export type CatalogAppPatch = z.input<typeof catalogAppPatchSchema>;

/** A stored row as the composer's CatalogApp. */
export function toCatalogApp(row: CatalogAppRecord): CatalogApp {
  return {
    id: row.id,
    name: row.name,
    aliases: row.aliases,
    generic: row.generic,
    category: row.category,
    packages: row.packages,
    command: row.command,
    requires: row.requires,
    ...(row.preinstalled ? { preinstalled: true } : {}),
  };
}
