Require Import ZArith.
Require Import Reals.
Require Import Coq.Strings.String.
Open Scope string_scope.

(*
 Return the sum of the integers from 1 to n.
*)
Definition sum_to_n (n : Z) : Z :=
  (n * (n + 1) / 2)%Z.

Example t1 : sum_to_n 1%Z = 1%Z. Proof. reflexivity. Qed.
Example t2 : sum_to_n 6%Z = 21%Z. Proof. reflexivity. Qed.
Example t3 : sum_to_n 11%Z = 66%Z. Proof. reflexivity. Qed.
Example t4 : sum_to_n 30%Z = 465%Z. Proof. reflexivity. Qed.
Example t5 : sum_to_n 100%Z = 5050%Z. Proof. reflexivity. Qed.
