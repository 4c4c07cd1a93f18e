import type DataLoader from 'dataloader';
import type { Page } from '../common/pagination';
import { pageLoaders } from '../graphql/context';
import type { ActivityPageArgs, ActivityRow, ActivityService } from './activity.service';

declare module '../graphql/context' {
  interface RequestLoaders {
    /** A page of each lead's activities: the leads of a page asking for the same page share its statements. */
    activities: (args: ActivityPageArgs) => DataLoader<string, Page<ActivityRow> & { totalCount: number }>;
  }
}

/** A request's activity loaders. */
export function activityLoaders(activities: ActivityService) {
  return { activities: pageLoaders((leadIds, args: ActivityPageArgs) => activities.activitiesOfLeads(leadIds, args)) };
}
