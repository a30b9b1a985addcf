/**
 * A `since`/`until` value: an ISO date or time, or a duration back from `now` (30m, 12h, 7d, 2w).
 * Undefined when it is neither.
 */
export function parseWhen(value: string, now: number): number | undefined {
  const ago = /^(\d+)([mhdw])$/.exec(value.trim());
  if (ago) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[ago[2] as "m" | "h" | "d" | "w"];
    return now - Number(ago[1]) * unit;
  }
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at;
}
