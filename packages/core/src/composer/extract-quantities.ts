/** Pulls resource sizes out of free text: "2 vCPUs", "4 GB", "512 MB of RAM", "1920x1080". */

const NUM = '(\\d+(?:\\.\\d+)?)';

export function extractMemoryMiB(text: string): number | undefined {
  const gb = new RegExp(`${NUM}\\s*(?:gb|gib|g|gigs?|gigabytes?)\\b(?!\\s*(?:of\\s+)?(?:disk|storage|ssd|hdd))`).exec(text);
  if (gb?.[1]) return Math.round(parseFloat(gb[1]) * 1024);
  const mb = new RegExp(`${NUM}\\s*(?:mb|mib|megs?|megabytes?)\\b`).exec(text);
  if (mb?.[1]) return Math.round(parseFloat(mb[1]));
  return undefined;
}

export function extractDiskGiB(text: string): number | undefined {
  const m = new RegExp(`${NUM}\\s*(?:gb|gib|g|gigs?|gigabytes?)\\s*(?:of\\s+)?(?:disk|storage|ssd|hdd)`).exec(text);
  return m?.[1] ? Math.ceil(parseFloat(m[1])) : undefined;
}

export function extractCpu(text: string): number | undefined {
  const m = new RegExp(`${NUM}\\s*(?:v?cpus?|cores?|processors?)\\b`).exec(text);
  return m?.[1] ? parseFloat(m[1]) : undefined;
}

export function extractResolution(text: string): { width: number; height: number } | undefined {
  const m = /\b(\d{3,4})\s*[x×]\s*(\d{3,4})\b/.exec(text);
  return m?.[1] && m[2] ? { width: parseInt(m[1], 10), height: parseInt(m[2], 10) } : undefined;
}
