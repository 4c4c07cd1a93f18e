'use client';

import { type Client, createClient } from 'graphql-ws';
import { useEffect, useRef, useState } from 'react';
import type { TypedDocumentString } from '@/gql/graphql';

/**
 * Live updates in the browser: one graphql-ws client per tab, opened straight to the API (Next
 * routes cannot carry a WebSocket). Each connection attempt first asks the console's
 * /session/live route for a one-use ticket and the socket's URL, so reconnects get a fresh ticket
 * and the session token never reaches page scripts.
 */
let client: Client | null = null;
let ticket: string | null = null;

async function nextTicket(): Promise<string> {
  const response = await fetch('/session/live', { method: 'POST', headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`No live ticket (HTTP ${response.status})`);
  const body = (await response.json()) as { ticket: string; url: string };
  ticket = body.ticket;
  return body.url;
}

function liveClient(): Client {
  client ??= createClient({
    url: nextTicket,
    connectionParams: () => ({ ticket }),
    lazy: true,
    lazyCloseTimeout: 3000,
    retryAttempts: 5,
  });
  return client;
}

/** `live` while events arrive over the socket; `unavailable` when it cannot connect (callers then poll). */
export type LiveState = 'connecting' | 'live' | 'unavailable';

/**
 * Subscribes while mounted (and not skipped) and calls `onData` with each event. The variables are
 * compared by value, so a new object with the same content does not subscribe again.
 */
export function useLiveSubscription<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  onData: (data: TResult) => void,
  options: { skip?: boolean } = {},
): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  const handler = useRef(onData);
  handler.current = onData;
  const key = JSON.stringify(variables ?? {});
  const skip = options.skip ?? false;

  useEffect(() => {
    if (skip || typeof window === 'undefined') return;
    const live = liveClient();
    setState('connecting');
    const offConnected = live.on('connected', () => setState('live'));
    const unsubscribe = live.subscribe<TResult>(
      { query: document.toString(), variables: JSON.parse(key) as Record<string, unknown> },
      {
        next: (result) => {
          setState('live');
          if (result.data) handler.current(result.data as TResult);
        },
        error: () => setState('unavailable'),
        complete: () => undefined,
      },
    );
    return () => {
      offConnected();
      unsubscribe();
    };
  }, [document, key, skip]);

  return skip ? 'unavailable' : state;
}
