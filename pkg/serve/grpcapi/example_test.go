package grpcapi

import (
	"context"
	"fmt"
	"log"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	pb "github.com/mlctl/mlctl/pkg/serve/grpcapi/inferencepb"
)

// Serve a core over gRPC and call ModelInfer as any OIP v2 client does. The
// core here is the tests' fake with a "sum" model; mlctl serve passes its
// real one.
func Example() {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := NewServer(newFakeCore(), Options{MaxRecvBytes: 16 << 20})
	go func() { _ = srv.Serve(lis) }()
	defer srv.GracefulStop()

	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	client := pb.NewGRPCInferenceServiceClient(conn)

	resp, err := client.ModelInfer(context.Background(), &pb.ModelInferRequest{
		ModelName: "sum",
		Inputs: []*pb.ModelInferRequest_InferInputTensor{{
			Name: "x", Datatype: "FP64", Shape: []int64{2, 4},
			Contents: &pb.InferTensorContents{Fp64Contents: []float64{1, 2, 3, 4, 5, 6, 7, 8}},
		}},
		Outputs: []*pb.ModelInferRequest_InferRequestedOutputTensor{{Name: "total"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	out := resp.GetOutputs()[0]
	fmt.Println(resp.GetModelName(), "version", resp.GetModelVersion())
	fmt.Println(out.GetName(), out.GetDatatype(), out.GetShape(), out.GetContents().GetFp64Contents())
	// Output:
	// sum version 2
	// total FP64 [2] [20 52]
}
