'use client';

import { useEffect, useRef, useState } from 'react';
import type { LeadFilter } from '@/gql/graphql';
import { type LiveState, useLiveSubscription } from './live';
import { LeadScoreChangedSubscription, LeadsChangedSubscription } from './live-operations';
import { getQueryClient } from './query-client';

/** Changes that come together (a re-score moves many leads) make one refetch. */
const SETTLE_MS = 400;

/**
 * Keeps a leads list current: when leads enter, leave or change within its filter, the cached
 * first page is fetched again (once per burst). While more pages are loaded below it, a refetch
 * would drop them, so the list only says that scores changed (`pending`) until `refresh`.
 */
export function useLiveLeads(filter: LeadFilter | null | undefined, options: { skip?: boolean; extraPages: number }) {
  const [pending, setPending] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const extraPages = useRef(options.extraPages);
  extraPages.current = options.extraPages;
  const refresh = () => {
    setPending(false);
    void getQueryClient().invalidateQueries({ queryKey: ['Leads'] });
  };
  const state: LiveState = useLiveSubscription(
    LeadsChangedSubscription,
    { filter: filter ?? null },
    () => {
      if (extraPages.current > 0) return setPending(true);
      if (timer.current) return;
      timer.current = setTimeout(() => {
        timer.current = null;
        refresh();
      }, SETTLE_MS);
    },
    { skip: options.skip },
  );
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return { state, pending, refresh };
}

/** Keeps a lead's cached page current: its score, reasons and history are fetched again when its score changes. */
export function useLiveLead(leadId: string): LiveState {
  return useLiveSubscription(LeadScoreChangedSubscription, { leadId }, () => {
    void getQueryClient().invalidateQueries({ queryKey: ['Lead', { id: leadId }] });
  });
}
