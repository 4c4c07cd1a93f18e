'use client';

import { useRef, type KeyboardEvent } from 'react';
import styles from './editor.module.css';

export const TABS = [
  { id: 'rules', label: 'Rules' },
  { id: 'shared', label: 'Shared conditions' },
  { id: 'thresholds', label: 'Grades & levels' },
  { id: 'cells', label: 'Action grid' },
  { id: 'bands', label: 'Bands' },
  { id: 'caps', label: 'Caps & decay' },
  { id: 'general', label: 'General' },
  { id: 'json', label: 'JSON' },
] as const;
export type TabId = (typeof TABS)[number]['id'];

const TAB_OF_MEMBER: Record<string, TabId> = {
  rules: 'rules',
  sharedConditions: 'shared',
  grades: 'thresholds',
  levels: 'thresholds',
  cells: 'cells',
  bands: 'bands',
  qualification: 'bands',
  caps: 'caps',
  decay: 'caps',
  name: 'general',
  description: 'general',
  key: 'general',
  facts: 'general',
};

/** Which tab shows the field a problem path points at. */
export function tabFor(path: string): TabId {
  return TAB_OF_MEMBER[path.split(/[.[]/)[0]] ?? 'json';
}

const KEY_MOVES: Record<string, (index: number) => number> = {
  ArrowRight: (index) => index + 1,
  ArrowLeft: (index) => index - 1,
  Home: () => 0,
  End: () => TABS.length - 1,
};

/** The section tabs (arrow keys move between them), each with the number of problems it shows. */
export function EditorTabs({ tab, onSelect, counts }: { tab: TabId; onSelect(tab: TabId): void; counts: Partial<Record<TabId, number>> }) {
  const refs = useRef<Partial<Record<TabId, HTMLButtonElement | null>>>({});

  function onKeyDown(event: KeyboardEvent<HTMLButtonElement>) {
    const move = KEY_MOVES[event.key];
    if (!move) return;
    event.preventDefault();
    const index = TABS.findIndex((t) => t.id === tab);
    const target = TABS[(move(index) + TABS.length) % TABS.length].id;
    onSelect(target);
    refs.current[target]?.focus();
  }

  return (
    <div role="tablist" aria-label="Rule set sections" className={`tabs ${styles.sectionTabs}`}>
      {TABS.map((t) => (
        <button
          key={t.id}
          ref={(element) => {
            refs.current[t.id] = element;
          }}
          role="tab"
          type="button"
          id={`tab-${t.id}`}
          aria-selected={tab === t.id}
          aria-controls={`panel-${t.id}`}
          tabIndex={tab === t.id ? 0 : -1}
          className="tab"
          onClick={() => onSelect(t.id)}
          onKeyDown={onKeyDown}
        >
          {t.label}
          {counts[t.id] ? (
            <span className="count">
              {counts[t.id]}
              <span className="visually-hidden"> problems</span>
            </span>
          ) : null}
        </button>
      ))}
    </div>
  );
}
