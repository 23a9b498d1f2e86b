/**
 * The relation vocabulary. Any SCREAMING_SNAKE relation may be stored; the ones named here carry a
 * contradiction rule, which is what makes a new fact end an older one instead of sitting beside it:
 *
 * - `source`: one target at a time per source (a company is in one GICS sub-industry). A new fact with
 *   the same source and relation but another target ends the old one.
 * - `pair`: one statement at a time per source and target (a holder's quantity of one security). A new
 *   fact for the same pair with different attributes ends the old one.
 * - `none`: facts accumulate (a company has many competitors); repeating one only adds provenance.
 */
export type Exclusivity = 'source' | 'pair' | 'none';

export const RELATION_PATTERN = /^[A-Z][A-Z0-9_]{1,49}$/;

export const RELATIONS: Record<string, { exclusive: Exclusivity; description: string }> = {
  IN_SUB_INDUSTRY: { exclusive: 'source', description: 'company → its GICS sub-industry' },
  IN_SECTOR: { exclusive: 'source', description: 'GICS sub-industry (or company) → its GICS sector' },
  HEADQUARTERED_IN: { exclusive: 'source', description: 'company → headquarters location' },
  HAS_RISK_TOLERANCE: { exclusive: 'source', description: 'person → risk tolerance (e.g. Moderate)' },
  HOLDS: {
    exclusive: 'pair',
    description: 'holder → security; attributes.quantity; a newer statement replaces the previous one',
  },
  SUPPLIES: { exclusive: 'none', description: 'supplier → customer' },
  CUSTOMER_OF: { exclusive: 'none', description: 'customer → supplier' },
  COMPETES_WITH: { exclusive: 'none', description: 'competitor ↔ competitor (stored once, read both ways)' },
  PARTNERS_WITH: { exclusive: 'none', description: 'partner ↔ partner' },
  INTERESTED_IN: { exclusive: 'none', description: 'person → company, sector or theme' },
  AVOIDS: { exclusive: 'none', description: 'person → company, sector or theme to stay away from' },
  MENTIONS: { exclusive: 'none', description: "episode subject → entity mentioned in the episode's text" },
};

export function exclusivityOf(relation: string): Exclusivity {
  return RELATIONS[relation]?.exclusive ?? 'none';
}

/** `IN_SUB_INDUSTRY` → `in sub industry`: the default wording of a fact nobody phrased. */
export function relationPhrase(relation: string): string {
  return relation.toLowerCase().replaceAll('_', ' ');
}
