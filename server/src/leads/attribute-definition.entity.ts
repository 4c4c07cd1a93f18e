import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export const ATTRIBUTE_TYPES = ['string', 'number', 'boolean', 'string[]', 'date'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];
export const ATTRIBUTE_SCOPES = ['lead', 'account'] as const;
/** Whose attributes a definition types: leads' (contacts') or accounts'. Names are unique per scope. */
export type AttributeScope = (typeof ATTRIBUTE_SCOPES)[number];

/** The catalog of explicit lead and account attributes and their types; incoming attributes are checked against it. */
@Entity({ name: 'attribute_definition' })
export class AttributeDefinitionEntity {
  @PrimaryColumn({ type: 'text', default: 'lead' })
  scope: AttributeScope;

  @PrimaryColumn({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  type: AttributeType;

  @Column({ type: 'text' })
  label: string;

  @Column({ type: 'text', default: '' })
  description: string;

  @Column({ name: 'allowed_values', type: 'text', array: true, nullable: true })
  allowedValues: string[] | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
