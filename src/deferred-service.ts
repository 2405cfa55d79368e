import type { Action, ServiceHandler } from './core/service.js';
import type { WireService } from './protocol/wire.js';

/**
 * A service the server can route to before its code has loaded: it speaks `wire` and has one action per operation
 * of the wire's model, each of which waits for `load` and then runs the loaded service's action. The first call
 * after loading puts the loaded actions in place of these, so later calls go straight to them.
 *
 * The loaded service must speak the same wire and have an action for every operation of its model, as SNS and
 * EventBridge do (they answer the operations they do not implement with InvalidAction); a test checks both.
 */
export function deferredService(wire: WireService, load: () => Promise<ServiceHandler>): ServiceHandler {
  const actions: Record<string, Action> = {};
  for (const name of Object.keys(wire.model.operations)) {
    actions[name] = async (input, ctx) => {
      const loaded = await load();
      Object.assign(actions, loaded.actions);
      return loaded.actions[name]!(input, ctx);
    };
  }
  return { wire, actions };
}
