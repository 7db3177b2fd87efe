"""Wire types holding every construct the TypeScript emitter must render faithfully."""
