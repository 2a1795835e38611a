/** The host ports a published port may take: TCP's, as Docker checks them. */
export const PORT_RANGE = { min: 1, max: 65535 } as const;

/** "1..65535", as the messages name the range. */
export const PORT_RANGE_TEXT = `${PORT_RANGE.min}..${PORT_RANGE.max}`;

/** A port number a host port can be: the one test the options, kept .env values and check share. */
export const isPort = (port: number) => Number.isInteger(port) && port >= PORT_RANGE.min && port <= PORT_RANGE.max;

/**
 * Ports the Fetch standard blocks ("bad ports", fetch.spec.whatwg.org/#port-blocking): browsers
 * and every fetch() (Node's included) refuse an http URL with one, whatever listens there. A
 * --port-offset of 3000 put the load balancer on 10080, and a trial's clients could not reach it.
 * tests/bad-ports.test.ts checks the list against this Node's own fetch.
 */
export const BROWSER_BLOCKED_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110,
  111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532,
  540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061,
  6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);
