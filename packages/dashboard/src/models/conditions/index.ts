/** The conditions builder's pure model: parse (toModel), serialize (toWire), validate, describe, errors. */
export * from './kinds';
export * from './model';
export * from './validate';
export * from './describe';
export * from './errors';
