"""Train convlab.learn's tiny CNN on the made-up shapes; report held-out accuracy and time.

    python bench/bench_learn.py [--train N] [--epochs E] [--blas-threads T|none]

The claim it checks (issue 6, notebook 07): at least 95% accuracy on
held-out shapes, training in under 30 s on this machine. The held-out set is
drawn with a different seed, so none of its images was seen in training.
Exits with status 1 if either target is missed.
"""

from __future__ import annotations

import argparse
import sys
import time

from convlab import learn

TARGET_ACCURACY = 0.95
TARGET_SECONDS = 30.0

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=3000, help="training images")
    parser.add_argument("--test", type=int, default=1000, help="held-out images")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--blas-threads", default="1",
                        help="BLAS threads while training ('none' leaves BLAS as it is)")
    args = parser.parse_args(argv)
    threads = None if args.blas_threads == "none" else int(args.blas_threads)

    start = time.perf_counter()
    x, y = learn.shapes_dataset(args.train, seed=args.seed)
    x_test, y_test = learn.shapes_dataset(args.test, seed=args.seed + 1000)
    made = time.perf_counter() - start
    model = learn.tiny_cnn(seed=args.seed)

    history = learn.train(model, x, y, epochs=args.epochs, seed=args.seed,
                          validation=(x_test, y_test), blas_threads=threads)
    total = time.perf_counter() - start
    print(f"data: {args.train} training + {args.test} held-out 16x16 images in {made:.2f} s")
    print(f"{'epoch':>5} {'loss':>8} {'train acc':>9} {'held-out acc':>12} {'seconds':>8}")
    for epoch, row in enumerate(zip(history["loss"], history["accuracy"],
                                    history["val_accuracy"], history["seconds"]), start=1):
        loss, train_acc, val_acc, seconds = row
        print(f"{epoch:5d} {loss:8.4f} {train_acc:9.3f} {val_acc:12.3f} {seconds:8.2f}")
    final = history["val_accuracy"][-1]
    ok = final >= TARGET_ACCURACY and total <= TARGET_SECONDS
    print(f"\nheld-out accuracy {final:.3f} (target >= {TARGET_ACCURACY}), "
          f"{total:.1f} s in all, data included (target <= {TARGET_SECONDS:.0f} s): "
          f"{'ok' if ok else 'MISSED'}")
    return 0 if ok else 1

if __name__ == "__main__":
    sys.exit(main())
