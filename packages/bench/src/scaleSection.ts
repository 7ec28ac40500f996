/** Sections of scale rows are named with this prefix (report.ts puts them under `## Scale`). */
export const SCALE_SECTION_PREFIX = 'scale'
