'use client';

import { useMemo } from 'react';
import { AttributeDefinitionsQuery } from '@/features/editor/operations';
import { type Catalog, catalogOf } from '@/lib/attribute-labels';
import { useQuery } from '@/lib/use-query';

/** The attribute catalog (cached: one request per tab), for labels of attributes and values. */
export function useCatalog(): Catalog {
  const { data } = useQuery(AttributeDefinitionsQuery);
  return useMemo(() => catalogOf(data?.attributeDefinitions), [data]);
}
