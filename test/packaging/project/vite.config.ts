// A tool's config file at the root, outside the tsconfig's include.
export default { root: 'src' };
