// Package callbacks holds Keras 2.2.4's training callbacks for model.Fit,
// with Keras' names, arguments and behaviour:
//
//   - EarlyStopping (monitor, min_delta, patience, mode, baseline,
//     restore_best_weights) stops training when a quantity stops improving;
//   - ModelCheckpoint (filepath with {epoch:02d}/{val_loss:.4f} fields,
//     monitor, save_best_only, save_weights_only, mode, period) saves the
//     model, atomically;
//   - CSVLogger (filename, separator, append) writes every epoch's logs;
//   - ReduceLROnPlateau (monitor, factor, patience, min_delta, cooldown,
//     min_lr) lowers the learning rate on a plateau;
//   - LearningRateScheduler (schedule(epoch, lr)) sets it every epoch;
//   - TerminateOnNaN stops at a NaN or infinite loss;
//   - LambdaCallback makes a callback of functions.
//
// Each is a model.Callback: pass them in model.FitConfig.Callbacks, in the
// order they should run. Settings are checked when training begins, before
// any epoch: a monitored name that Fit does not log is an error that lists
// the names it does. Callbacks that read or set the learning rate use the
// optimizer's LearningRate and SetLearningRate. Where Keras has a verbose
// argument, Verbose 1 writes Keras' messages to model.FitParams.Output (the
// Fit's progress writer).
package callbacks
