/** Group ids partition the graph: one shared market graph, one private memory per user. */
export const PUBLIC_GROUP = 'public';

export function userGroup(userId: string): string {
  return `user:${userId}`;
}
