/**
 * The longest `return_to`: what the gates write into the login redirect and what login accepts. A module
 * of its own so that the gates' bundles take the number without `return-to.ts` and its expressions.
 */
export const MAX_RETURN_TO_LENGTH = 2048;
