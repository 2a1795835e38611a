/** The host ports a published port may take: TCP's, as Docker checks them. */
export const PORT_RANGE = { min: 1, max: 65535 } as const;

/** "1..65535", as the messages name the range. */
export const PORT_RANGE_TEXT = `${PORT_RANGE.min}..${PORT_RANGE.max}`;

/** A port number a host port can be: the one test the options, kept .env values and check share. */
export const isPort = (port: number) => Number.isInteger(port) && port >= PORT_RANGE.min && port <= PORT_RANGE.max;
