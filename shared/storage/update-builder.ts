import type { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../domain/app-error.ts';
import type { StoredItem } from './item-codec.ts';
import type { ItemKey } from './keys.ts';

/**
 * Builds one UpdateItem: every attribute name goes through a placeholder (many domain names are reserved
 * words in DynamoDB expressions), every value through a value placeholder.
 */
export class UpdateBuilder {
  readonly #names: Record<string, string> = {};
  readonly #values: Record<string, unknown> = {};
  readonly #sets: string[] = [];
  readonly #removes: string[] = [];
  readonly #conditions: string[] = [];

  set(name: string, value: unknown): void {
    this.#sets.push(`${this.#name(name)} = ${this.#value(value)}`);
  }

  setAll(attributes: StoredItem): void {
    for (const [name, value] of Object.entries(attributes)) this.set(name, value);
  }

  setIfNotExists(name: string, value: unknown): void {
    const placeholder = this.#name(name);
    this.#sets.push(`${placeholder} = if_not_exists(${placeholder}, ${this.#value(value)})`);
  }

  add(name: string, amount: number): void {
    const placeholder = this.#name(name);
    this.#sets.push(`${placeholder} = ${placeholder} + ${this.#value(amount)}`);
  }

  remove(...names: string[]): void {
    for (const name of names) this.#removes.push(this.#name(name));
  }

  condition(name: string, operator: '=', value: unknown): void {
    this.#conditions.push(`${this.#name(name)} ${operator} ${this.#value(value)}`);
  }

  conditionExists(): void {
    this.#conditions.push(`attribute_exists(${this.#name('pk')})`);
  }

  isEmpty(): boolean {
    return this.#sets.length === 0 && this.#removes.length === 0;
  }

  build(tableName: string, key: ItemKey): ConstructorParameters<typeof UpdateCommand>[0] {
    if (this.#sets.length === 0 && this.#removes.length === 0) throw new AppError('internal.unexpected', 'Empty update expression', { retryable: false });
    const clauses = [this.#sets.length > 0 ? `SET ${this.#sets.join(', ')}` : '', this.#removes.length > 0 ? `REMOVE ${this.#removes.join(', ')}` : ''];
    return {
      TableName: tableName,
      Key: key,
      UpdateExpression: clauses.filter(Boolean).join(' '),
      ConditionExpression: this.#conditions.length > 0 ? this.#conditions.join(' AND ') : undefined,
      ExpressionAttributeNames: this.#names,
      ExpressionAttributeValues: Object.keys(this.#values).length > 0 ? this.#values : undefined,
    };
  }

  #name(name: string): string {
    const placeholder = `#${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
    this.#names[placeholder] = name;
    return placeholder;
  }

  #value(value: unknown): string {
    const placeholder = `:v${Object.keys(this.#values).length}`;
    this.#values[placeholder] = value;
    return placeholder;
  }
}
