/**
 * The few CloudFormation shapes the deployment writes, and the intrinsic functions it uses. Plain JSON
 * values: serverless merges them into the template it compiles, and tests read them back.
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface Resource {
  readonly Type: string;
  readonly Properties: { [key: string]: Json };
  readonly DependsOn?: string[];
  readonly DeletionPolicy?: 'Retain' | 'Delete';
  readonly UpdateReplacePolicy?: 'Retain' | 'Delete';
}

export interface Output {
  readonly Description: string;
  readonly Value: Json;
}

export type Resources = Record<string, Resource>;

export const ref = (logicalId: string): Json => ({ Ref: logicalId });
export const getAtt = (logicalId: string, attribute: string): Json => ({ 'Fn::GetAtt': [logicalId, attribute] });
export const sub = (template: string): Json => ({ 'Fn::Sub': template });
export const join = (separator: string, parts: Json[]): Json => ({ 'Fn::Join': [separator, parts] });

/** An IAM policy document. */
export function policyDocument(statements: Json[]): Json {
  return { Version: '2012-10-17', Statement: statements };
}
