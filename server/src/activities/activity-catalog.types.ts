import { Field, GraphQLISODateTime, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum UnknownActivityTypesEnum {
  REFUSE = 'REFUSE',
  MAP_TO = 'MAP_TO',
}
registerEnumType(UnknownActivityTypesEnum, {
  name: 'UnknownActivityTypes',
  description: 'What happens to an activity whose type the catalog does not know: refused, or recorded as the configured type (mapTo).',
});

@ObjectType({ description: 'A property activities of a type carry.' })
export class ActivityPropertyDefinition {
  @Field(() => String) name: string;
  @Field(() => String, { description: 'string, number or boolean' }) type: string;
  @Field(() => Boolean, { description: 'Every activity of the type must carry it (not null).' }) required: boolean;
}

@ObjectType({ description: 'An activity type of the catalog: what clients may record, and rules may count.' })
export class ActivityTypeDefinition {
  @Field(() => String, { description: 'snake_case, e.g. feature_used: the name recordActivity takes (typeName) and rules name.' })
  name: string;
  @Field(() => Int, { description: 'Stable number of the type (backtest snapshots store it).' }) code: number;
  @Field(() => String) label: string;
  @Field(() => String) description: string;
  @Field(() => [ActivityPropertyDefinition]) properties: ActivityPropertyDefinition[];
  @Field(() => Boolean, { description: 'Whether properties not listed are accepted (flat string, number, boolean or null values).' })
  openProperties: boolean;
  @Field(() => Boolean, { description: 'One of the 18 built-in types: cannot be retired.' }) builtIn: boolean;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When it was retired: no new activities of it are accepted.' })
  retiredAt: Date | null;
}

@InputType()
export class ActivityPropertyInput {
  @Field(() => String) name: string;
  @Field(() => String, { description: 'string, number or boolean' }) type: string;
  @Field(() => Boolean, { nullable: true, description: 'Default false: the property may be left out.' }) required?: boolean | null;
}

@InputType({ description: 'A new activity type, or a new definition of one (its name stays; a retired type is brought back).' })
export class DefineActivityTypeInput {
  @Field(() => String, { description: 'snake_case: a lowercase letter, then lowercase letters, digits or _ (2 to 63 characters).' })
  name: string;
  @Field(() => String) label: string;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => [ActivityPropertyInput], { nullable: true, description: 'At most 50.' }) properties?: ActivityPropertyInput[] | null;
  @Field(() => Boolean, {
    nullable: true,
    description: 'Accept properties not listed (default: false for a new type, unchanged for an existing one).',
  })
  openProperties?: boolean | null;
}

@ObjectType({ description: 'The activity catalog settings.' })
export class ActivityCatalogSettings {
  @Field(() => UnknownActivityTypesEnum) unknownActivityTypes: UnknownActivityTypesEnum;
  @Field(() => String, { nullable: true, description: 'With MAP_TO: the type unknown types are recorded as.' }) mapTo: string | null;
}

@InputType()
export class SetUnknownActivityTypesInput {
  @Field(() => UnknownActivityTypesEnum) unknownActivityTypes: UnknownActivityTypesEnum;
  @Field(() => String, { nullable: true, description: 'Required with MAP_TO: a current type of the catalog.' }) mapTo?: string | null;
}
