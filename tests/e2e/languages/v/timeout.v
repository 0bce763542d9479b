Require Import ZArith.
Require Import Reals.
Require Import Coq.Strings.String.
Open Scope string_scope.

(*
 Runs an identity function 2^60 times before answering: the proof never ends.
*)
Definition sum_to_n (n : Z) : Z :=
  Z.iter (2 ^ 60)%Z (fun x => x) (n * (n + 1) / 2)%Z.

Example t1 : sum_to_n 6%Z = 21%Z. Proof. vm_compute. reflexivity. Qed.
