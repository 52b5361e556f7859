/** Small questions about ESTree nodes that several rules ask in the same way. */
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';

export type FunctionNode = TSESTree.FunctionDeclaration | TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression;

/** Whether a value met while walking a node's visitor keys is a node (not a token list, `null` or a literal). */
export function isNode(value: unknown): value is TSESTree.Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

export function isFunction(node: TSESTree.Node | undefined): node is FunctionNode {
  return (
    node?.type === AST_NODE_TYPES.FunctionDeclaration ||
    node?.type === AST_NODE_TYPES.FunctionExpression ||
    node?.type === AST_NODE_TYPES.ArrowFunctionExpression
  );
}

/** The name a lock receiver is known by for the name-based fallback: `lock`, `this.lock`, `this.#lock`, `lock!`. */
export function receiverName(receiver: TSESTree.Node): string | undefined {
  if (receiver.type === AST_NODE_TYPES.Identifier) return receiver.name;
  if (receiver.type === AST_NODE_TYPES.MemberExpression && !receiver.computed && receiver.property.type !== AST_NODE_TYPES.PrivateIdentifier) return receiver.property.name;
  if (receiver.type === AST_NODE_TYPES.MemberExpression && receiver.property.type === AST_NODE_TYPES.PrivateIdentifier) return receiver.property.name;
  if (receiver.type === AST_NODE_TYPES.TSNonNullExpression) return receiverName(receiver.expression);
  return undefined;
}
