'use client';

import { useEffect, useState } from 'react';
import { ApiError, request, type Problem } from '@/lib/graphql-client';
import { toJsonObject, type RuleSetDefinition } from './definition';
import { ValidateRuleSetQuery } from './operations';

const VALIDATION_DELAY_MS = 400;

/**
 * The API's own validation of the document, shortly after each change. Problems a refused save
 * reported stand until the next validation answers for a newer document.
 */
export function useValidation(definition: RuleSetDefinition, ruleSetKey: string) {
  const [problems, setProblems] = useState<Problem[]>([]);
  const [validating, setValidating] = useState(false);
  const [validationError, setValidationError] = useState<ApiError>();

  useEffect(() => {
    let cancelled = false;
    const timer = setTimeout(async () => {
      setValidating(true);
      try {
        const { validateRuleSet } = await request(ValidateRuleSetQuery, { definition: toJsonObject(definition), ruleSetKey });
        if (!cancelled) {
          setProblems(validateRuleSet.problems);
          setValidationError(undefined);
        }
      } catch (error) {
        if (!cancelled) setValidationError(error instanceof ApiError ? error : new ApiError([{ message: String(error) }]));
      } finally {
        if (!cancelled) setValidating(false);
      }
    }, VALIDATION_DELAY_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [definition, ruleSetKey]);

  return { problems, setProblems, validating, validationError };
}
