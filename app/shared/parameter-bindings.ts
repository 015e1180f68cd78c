/**
 * What a configured tool's parameter may be bound to instead of an argument: a fact of the signed-in person,
 * never the model's. Apart from the config schema so the renderer can list them without bundling zod.
 */
export const PARAMETER_BINDINGS = ['email', 'subject', 'name', 'db_user', 'groups'] as const;
