/** A message of a kind rendered as its plan would (the kind's shape from the registry). */
import { shapeOf } from '../../src/delivery/planner';
import { kindRule } from '../../src/kinds';
import { renderMessage, RenderInput, Rendered } from '../../src/render/message';

export type Kind = string;

export function renderKind(i: Omit<RenderInput, 'shape'> & { kind: Kind }): Rendered {
  const { kind, ...rest } = i;
  return renderMessage({ ...rest, shape: shapeOf(kindRule(kind), i.series) });
}
