/** Runs once React has committed the current update and the browser has laid it out. */
export function afterRender(action: () => void): void {
  requestAnimationFrame(() => requestAnimationFrame(action));
}

const FOCUSABLE = 'input, select, textarea, button, summary, [contenteditable="true"]';

/** Focuses `element`, or the first control inside it; false when there is none. */
export function focusWithin(element: HTMLElement | null): boolean {
  if (!element) return false;
  const target = element.matches(`${FOCUSABLE}, [tabindex]`) ? element : element.querySelector<HTMLElement>(FOCUSABLE);
  if (!target) return false;
  target.scrollIntoView({ block: 'center' });
  target.focus({ preventScroll: true });
  return true;
}

/** The closest element on screen for a path: the field itself, else its nearest enclosing block. */
export function focusPath(path: string): boolean {
  let current = path;
  while (current) {
    const element = document.querySelector<HTMLElement>(`[data-path="${CSS.escape(current)}"]`);
    if (element) {
      if (!focusWithin(element)) element.scrollIntoView({ block: 'center' });
      return true;
    }
    const trimmed = current.replace(/(\[\d+\]|\.[^.[]+)$/, '');
    if (trimmed === current) break;
    current = trimmed;
  }
  return false;
}

/**
 * After an item of a list is removed: focus the item now at its place (the next one), else the
 * one before it, else the list's "add" button, so keyboard users stay where they were working.
 */
export function focusAfterRemoval(listPath: string, index: number, remaining: number, addButton: string): void {
  afterRender(() => {
    const next = index < remaining ? index : index - 1;
    const item = next >= 0 ? document.querySelector<HTMLElement>(`[data-path="${CSS.escape(`${listPath}[${next}]`)}"]`) : null;
    if (focusWithin(item)) return;
    document.querySelector<HTMLElement>(`[data-add-for="${CSS.escape(addButton)}"]`)?.focus();
  });
}
