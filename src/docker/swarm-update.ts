/**
 * How long a Swarm update of one node may take, in seconds: its new task pulled, started and
 * healthy. Both the printed `timeout … docker service update` and `ready --updated` use it: a
 * task that fails after the update's monitor window is restarted for ever, and its update never
 * ends by itself.
 */
export const SWARM_UPDATE_SECONDS = 600;
