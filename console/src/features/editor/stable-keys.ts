/**
 * React keys for items of the edited document (rules, conditions, bands), which have no id of their
 * own and whose names change while edited. An item keeps its key through edits when the code that
 * replaces it carries the key over; a document parsed anew (JSON mode, a merge) gets new keys.
 */
const keys = new WeakMap<object, string>();
let counter = 0;

export function keyOf(item: object): string {
  let key = keys.get(item);
  if (key === undefined) {
    counter += 1;
    key = `item-${counter}`;
    keys.set(item, key);
  }
  return key;
}

/** Gives `next` (the edited copy of `previous`) the key of `previous`, and returns it. */
export function carryKey<T extends object>(previous: object, next: T): T {
  if (previous !== next && !keys.has(next)) keys.set(next, keyOf(previous));
  return next;
}

/** `items` with the item at `index` replaced by `next`, which keeps the replaced item's key. */
export function replaceAt<T extends object>(items: readonly T[], index: number, next: T): T[] {
  return items.map((item, i) => (i === index ? carryKey(item, next) : item));
}
