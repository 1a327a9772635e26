// Package optim holds the Keras 2.2.4 optimizers (SGD, RMSprop, Adagrad,
// Adadelta, Adam, Adamax, Nadam) as optim.Optimizer implementations, with
// Keras' defaults and update rules, learning-rate decay and gradient clipping.
//
// One Step, for the params passed to it, does what one Keras training batch
// does:
//
//  1. copy each Grad (Param.Grad itself is left unchanged);
//  2. clipnorm c > 0: n = sqrt(Σ over all params of Σ g²), one global norm;
//     every gradient becomes g·c/n when n >= c;
//  3. clipvalue v > 0: every element is clipped to [-v, v];
//  4. lr = LR · 1/(1 + Decay·iterations), iterations counting earlier steps;
//  5. update each param by the optimizer's rule (see each type), write the
//     result into Param.Value in the param's dtype, then apply
//     Param.Constraint when it is not nil;
//  6. iterations++.
//
// The state (moments, accumulators, iterations) is kept per Param.Name, so the
// order of params in a Step does not change anything: params are processed
// in name order whatever the order given. Arithmetic is float64 for float32
// and float64 params alike; float32 params and their state are rounded only
// when written back into Value (Keras would keep float32 moments).
//
// Configuration is a struct with exported, JSON-tagged fields named as in
// Keras' get_config; constructors (NewSGD, NewAdam, ...) return the Keras
// defaults, New looks an optimizer up by name, Marshal and Unmarshal save and
// restore the configuration in Keras' {"class_name", "config"} form, and
// State/SetState save and restore the state.
package optim
