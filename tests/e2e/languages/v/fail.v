Require Import ZArith.
Require Import Reals.
Require Import Coq.Strings.String.
Open Scope string_scope.

(*
 Wrong on purpose: forgets to halve.
*)
Definition sum_to_n (n : Z) : Z :=
  (n * (n + 1))%Z.

Example t1 : sum_to_n 6%Z = 21%Z. Proof. reflexivity. Qed.
