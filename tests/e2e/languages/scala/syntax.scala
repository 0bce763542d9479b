import scala.math._
import scala.collection.mutable._
object Problem {
    def countDistinctCharacters(string : String) : Long = {
        string.toLowerCase.toSet.mkString
    }
    def main(args: Array[String]) = {
    assert(countDistinctCharacters(("abcde")) == (5l));
    }

}
