import { actorName } from '../../lib/format';

/** What an audit entry says, in words: "approved v3 of default-b2b for marketing". */
export interface AuditEntryText {
  /** The act, without its actor ("approved v3 of default-b2b for marketing"). */
  what: string;
  /** A comment or note given with it, if any. */
  comment?: string;
  /** The rule set it concerns, if any. */
  ruleSet?: string;
}

interface EntryLike {
  action: string;
  summary: string;
  after?: unknown;
}

/** The actions the filter offers, in words (others still show, with the server's summary). */
export const ACTION_LABELS: Record<string, string> = {
  'rule_set.created': 'Rule set created',
  'version.draft_created': 'Draft started',
  'version.saved': 'Draft saved',
  'version.submitted': 'Submitted for review',
  'version.approved': 'Approved',
  'version.changes_requested': 'Changes requested',
  'version.published': 'Published',
  'version.rolled_back': 'Rolled back',
  'rule_set.segments_set': 'Segments changed',
  'rule_set.archived': 'Rule set archived',
  'user.created': 'User created',
  'user.disabled': 'User disabled',
  'user.enabled': 'User enabled',
  'user.password_set': 'Password set',
  'user.password_changed': 'Own password changed',
  'user.signed_in': 'Signed in with single sign-on',
  'user.sso_linked': 'Linked to single sign-on',
  'user.role_changed': 'Role set by single sign-on',
  'session.revoked': 'Session ended',
  'lead.outcome_set': 'Lead outcome recorded',
  'lead.erased': 'Lead erased',
  'webhook.created': 'Webhook created',
  'webhook.secret_rotated': 'Webhook secret rotated',
  'webhook.pinged': 'Webhook pinged',
  'webhook.redelivered': 'Webhook delivery repeated',
  'activity_type.defined': 'Activity type defined',
  'activity_type.retired': 'Activity type retired',
  'activity_catalog.unknown_types_set': 'Unknown activity types policy set',
  'tracking.config_changed': 'Tracking configuration changed',
  'lead.outcomes_set': 'Lead outcomes recorded in a batch',
  'lead.assigned': 'Lead assigned',
  'lead.unassigned': 'Lead unassigned',
  'owner.defined': 'Owner defined',
  'owner.updated': 'Owner changed',
  'owner.activated': 'Owner activated',
  'owner.deactivated': 'Owner deactivated',
  'routing.rules_set': 'Routing rules set',
  'webhook.filter_set': 'Webhook filter set',
  'lead_list.created': 'List saved',
  'lead_list.updated': 'List changed',
  'lead_list.deleted': 'List deleted',
};

const VERSION_OF = /(v\d+) of ([\w.-]+)/;

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function splitComment(text: string): { head: string; comment?: string } {
  const at = text.indexOf(': ');
  return at < 0 ? { head: text } : { head: text.slice(0, at), comment: text.slice(at + 2) };
}

export function describeAuditEntry(entry: EntryLike): AuditEntryText {
  const version = VERSION_OF.exec(entry.summary);
  const ruleSet = version?.[2] ?? /(?:rule set|Segments of) ([\w.-]+)/.exec(entry.summary)?.[1];
  const where = version ? `${version[1]} of ${version[2]}` : '';
  switch (entry.action) {
    case 'version.approved':
    case 'version.changes_requested': {
      const { head, comment } = splitComment(entry.summary);
      const side = /^(marketing|sales)\b/.exec(head)?.[1];
      const act = entry.action === 'version.approved' ? 'approved' : 'asked for changes to';
      return { what: `${act} ${where}${side ? ` for ${side}` : ''}`, comment, ruleSet };
    }
    case 'version.submitted':
      return { what: `submitted ${where} for review`, ruleSet };
    case 'version.published':
      return { what: `published ${where}: leads are re-scored with it`, ruleSet };
    case 'version.draft_created':
      return { what: `started draft ${where}`, ruleSet };
    case 'version.saved': {
      const revision = /revision (\d+)/.exec(entry.summary)?.[1];
      const back = /back to draft from (\w+)/.exec(entry.summary)?.[1];
      return {
        what: `saved ${where}${revision ? ` (revision ${revision})` : ''}${back ? `, which sent it back to draft from ${back.replace('_', ' ')}` : ''}`,
        ruleSet,
      };
    }
    case 'rule_set.segments_set':
      return { what: `set the ${lowerFirst(entry.summary)}`, ruleSet };
    case 'lead.outcome_set':
      return { what: `recorded the ${lowerFirst(entry.summary)}` };
    case 'webhook.created':
      return { what: `created the ${lowerFirst(entry.summary)}` };
    case 'webhook.secret_rotated':
    case 'webhook.pinged':
    case 'webhook.redelivered':
      return { what: `${ACTION_LABELS[entry.action].toLowerCase()}: ${entry.summary}` };
    case 'lead.outcomes_set':
      return { what: `recorded the ${lowerFirst(entry.summary)}` };
    case 'lead.assigned':
      // "Lead 12 assigned to Sam Sales by routing rule "Inbound"" -> "assigned lead 12 to Sam Sales by routing rule …"
      return { what: entry.summary.replace(/^Lead (\S+) assigned/, 'assigned lead $1') };
    case 'lead.unassigned':
      return { what: entry.summary.replace(/^Lead (\S+) no longer owned by/, 'took lead $1 from') };
    case 'owner.defined':
    case 'owner.updated':
    case 'owner.activated':
    case 'owner.deactivated': {
      const verb = entry.action.slice('owner.'.length).replace('updated', 'changed');
      const owner = entry.summary.replace(/ (defined|updated|activated|deactivated)$/, '');
      return { what: `${verb} the ${lowerFirst(owner)}` };
    }
    case 'routing.rules_set':
      return { what: entry.summary.replace(/^Routing rules set/, 'set the routing rules') };
    case 'webhook.filter_set':
      return { what: `set the filter of the ${lowerFirst(entry.summary).replace(': filter ', ': ')}` };
    default:
      // Summaries of the other actions start with their verb ("Created user …", "Ended session …").
      return { what: lowerFirst(entry.summary), ruleSet };
  }
}

/** "mia@demo.local", "API key crm-sync" or "the system". */
export function actorWords(actor: string): string {
  if (actor.startsWith('apiKey:')) return `API key ${actorName(actor)}`;
  if (!actor || actor === 'system') return 'The system';
  return actorName(actor);
}
