import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Relay-style page information.' })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the last edge; pass it as `after` for the next page.' })
  endCursor: string | null;
}

export function pageInfo(cursors: string[], hasNextPage: boolean): PageInfo {
  return { hasNextPage, endCursor: cursors.length ? cursors[cursors.length - 1] : null };
}
