'use client';

import { BandsSection, CapsDecaySection } from './band-decay-sections';
import type { ConditionContext } from './condition-editor';
import type { RuleSetDefinition } from './definition';
import type { TabId } from './editor-tabs';
import { GeneralSection, SharedConditionsSection } from './general-sections';
import { CellsSection, ThresholdsSection } from './grading-sections';

export interface SectionProps {
  definition: RuleSetDefinition;
  onChange(definition: RuleSetDefinition): void;
  readOnly: boolean;
}

/** The form of one section of the document (every tab but the rules and JSON mode). */
export function SectionPanel({ tab, context, ...props }: SectionProps & { tab: TabId; context: ConditionContext }) {
  switch (tab) {
    case 'shared':
      return <SharedConditionsSection {...props} context={context} />;
    case 'thresholds':
      return <ThresholdsSection {...props} />;
    case 'cells':
      return <CellsSection {...props} />;
    case 'bands':
      return <BandsSection {...props} />;
    case 'caps':
      return <CapsDecaySection {...props} />;
    case 'general':
      return <GeneralSection {...props} />;
    default:
      return null;
  }
}
