import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Relay-style page information.' })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the last edge; pass it as `after` for the next page.' })
  endCursor: string | null;

  @Field(() => Boolean, {
    description: 'Whether leads come before this page (connections that page backwards; false for those that only page forwards).',
  })
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first edge; pass it as `before` for the previous page.' })
  startCursor: string | null;
}

/** A page's PageInfo; hasPreviousPage is false unless the connection pages backwards (Relay allows that). */
export function pageInfo(cursors: string[], hasNextPage: boolean, hasPreviousPage = false): PageInfo {
  return {
    hasNextPage,
    endCursor: cursors.length ? cursors[cursors.length - 1] : null,
    hasPreviousPage,
    startCursor: cursors.length ? cursors[0] : null,
  };
}
